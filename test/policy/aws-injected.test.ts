import {
  GUARDDUTY_AGENT_ACCOUNTS,
  injectedContainerOf,
  mayBeInjected,
} from '../../lambda/policy/aws-injected';

const task = { region: 'eu-west-1', serviceConnectContainers: ['ecs-service-connect-oRK9o'] };
const none = new Set<string>(['app']);
const digest = `sha256:${'ab'.repeat(32)}`;

describe('AWS-injected containers', () => {
  it('recognises the GuardDuty agent by name (random suffix) when the task definition lacks it', () => {
    expect(
      injectedContainerOf({ name: 'aws-guardduty-agent-FvWGoDU', imageDigest: digest }, task, none),
    ).toMatchObject({
      agent: 'guardduty-agent',
    });
    expect(
      injectedContainerOf(
        { name: 'aws-guardduty-agent-FvWGoDU' },
        task,
        new Set(['aws-guardduty-agent-FvWGoDU']),
      ),
    ).toBeUndefined();
  });

  it('accepts a reported GuardDuty image only from AWS’s account for the region', () => {
    const repo = `${GUARDDUTY_AGENT_ACCOUNTS['eu-west-1']}.dkr.ecr.eu-west-1.amazonaws.com/aws-guardduty-agent-fargate`;
    const c = (image: string) => ({ name: 'aws-guardduty-agent-nm40lC', image });
    expect(injectedContainerOf(c(`${repo}:v1.5.0-Fg_arm64`), task, none)).toBeDefined();
    expect(injectedContainerOf(c(`${repo}@${digest}`), task, none)).toBeDefined();
    expect(injectedContainerOf(c(`${repo}-evil:v1`), task, none)).toBeUndefined();
    expect(
      injectedContainerOf(
        c(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/aws-guardduty-agent-fargate:v1`),
        task,
        none,
      ),
    ).toBeUndefined();
    expect(injectedContainerOf(c(`${repo}:v1`), { ...task, region: 'us-east-1' }, none)).toBeUndefined();
  });

  it('recognises the Service Connect proxy only when a ServiceConnect attachment names it', () => {
    expect(injectedContainerOf({ name: 'ecs-service-connect-oRK9o' }, task, none)).toMatchObject({
      agent: 'service-connect',
    });
    expect(
      injectedContainerOf(
        { name: 'ecs-service-connect-oRK9o', image: 'ecs-service-connect-agent:interface-v1' },
        task,
        none,
      ),
    ).toBeDefined();
    expect(injectedContainerOf({ name: 'ecs-service-connect-other' }, task, none)).toBeUndefined();
    expect(
      injectedContainerOf({ name: 'ecs-service-connect-oRK9o', image: 'evil/proxy:1' }, task, none),
    ).toBeUndefined();
  });

  it('never treats other names, or a container with a problem, as injected', () => {
    for (const name of [
      'aws-guardduty-agent',
      'aws-guardduty-agent-',
      'aws-guardduty-agent-a/b',
      'xaws-guardduty-agent-abc',
      'app',
    ])
      expect(injectedContainerOf({ name }, task, none)).toBeUndefined();
    expect(
      injectedContainerOf({ name: 'aws-guardduty-agent-abc', problem: 'bad' }, task, none),
    ).toBeUndefined();
    expect(mayBeInjected('app')).toBe(false);
    expect(mayBeInjected('aws-guardduty-agent-abc')).toBe(true);
  });
});
