import { chooseDigests, type DigestWanted } from '../../lambda/digests/choose-digests';
import type { TaskLookups } from '../../lambda/ecs/task-lookups';
import type { ImageReference } from '../../lambda/reference/types';
import type { ImageVerification } from '../../lambda/verify/types';
import { ReasonCode } from '../../lambda/reasons';

const D = (n: string) => `sha256:${n.repeat(64)}`;
const task = {
  clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod',
  taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7',
  service: 'web',
};
const ref = (digest?: string): ImageReference =>
  ({
    registry: 'registry.example',
    repository: 'app',
    tag: '1',
    ...(digest ? { digest } : {}),
  }) as ImageReference;

function deps(answers: { described?: Map<string, string> | Error; revision?: Map<string, string> | Error }) {
  const calls: string[] = [];
  const answer = (name: string, a: Map<string, string> | Error | undefined) => {
    calls.push(name);
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a ?? new Map());
  };
  const lookups: TaskLookups = {
    describedDigests: () => answer('describeTasks', answers.described),
    serviceRevisionDigests: () => answer('serviceRevision', answers.revision),
    definedContainers: () => Promise.reject(new Error('not used')),
  };
  const verifier = {
    resolveDigest: (r: ImageReference) => {
      calls.push(`resolve ${r.repository}`);
      return Promise.resolve(
        r.repository === 'gone'
          ? { failure: { reason: ReasonCode.REGISTRY_UNAVAILABLE, error: true } as ImageVerification }
          : { digest: D('f'), digestSource: 'resolved' as const },
      );
    },
  };
  return { deps: { lookups, verifier }, calls };
}

describe('chooseDigests', () => {
  it('takes the event’s digest over one pinned in the image, and asks nothing else', async () => {
    const { deps: d, calls } = deps({});
    const wanted: DigestWanted[] = [{ name: 'a', ref: ref(D('1')), eventDigest: D('2') }];
    expect(await chooseDigests(task, wanted, d)).toEqual(
      new Map([['a', { digest: D('2'), source: 'event' }]]),
    );
    expect(calls).toEqual([]);
  });

  it('goes event → DescribeTasks → service revision → resolved, each only for what is still missing', async () => {
    const { deps: d, calls } = deps({
      described: new Map([['b', D('3')]]),
      revision: new Map([
        ['b', D('9')],
        ['c', D('4')],
      ]),
    });
    const wanted: DigestWanted[] = [
      { name: 'a', ref: ref(D('1')) },
      { name: 'b', ref: ref() },
      { name: 'c', ref: ref() },
      { name: 'd', ref: ref() },
    ];
    const chosen = await chooseDigests(task, wanted, d);
    expect(Object.fromEntries(chosen)).toEqual({
      a: { digest: D('1'), source: 'event' },
      b: { digest: D('3'), source: 'describeTasks' },
      c: { digest: D('4'), source: 'serviceRevision' },
      d: { digest: D('f'), source: 'resolved' },
    });
    expect(calls).toEqual(['describeTasks', 'serviceRevision', 'resolve app']);
  });

  it('falls through a failed lookup and asks no revision for a task outside a service', async () => {
    const { deps: d, calls } = deps({ described: new Error('ThrottlingException') });
    const chosen = await chooseDigests({ ...task, service: undefined }, [{ name: 'a', ref: ref() }], d);
    expect(chosen.get('a')).toEqual({ digest: D('f'), source: 'resolved' });
    expect(calls).toEqual(['describeTasks', 'resolve app']);
  });

  it('reports a tag that cannot be resolved as a failure, never a digest', async () => {
    const { deps: d } = deps({});
    const gone = { ...ref(), repository: 'gone' } as ImageReference;
    const chosen = await chooseDigests(task, [{ name: 'a', ref: gone }], d);
    expect(chosen.get('a')).toEqual({ failure: expect.objectContaining({ error: true }) });
  });
});
