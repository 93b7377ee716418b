import fc from 'fast-check';
import { canonicalJson } from '../../lambda/cosign/tlog/canonical-json';
import {
  PUBLIC_GOOD_REKOR_KEYS,
  PUBLIC_GOOD_REKOR_PEM,
  parseRekorKey,
  publicGoodRekorKeys,
} from '../../lambda/cosign/tlog/rekor-keys';
import {
  verifySignedEntryTimestamp,
  type SignedEntry,
} from '../../lambda/cosign/tlog/signed-entry-timestamp';
import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';
import { flipByte, generateTestRekorKey, makeSet } from '../support/signer';
import { fixtureRekorKey, fixtureText } from './real-fixtures';

const PUBLIC_GOOD_LOG_ID = 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d';

interface LegacyRekorBundle {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function legacyEntry(relative: string): SignedEntry {
  const b = JSON.parse(fixtureText(relative)) as LegacyRekorBundle;
  return {
    body: b.Payload.body,
    integratedTime: b.Payload.integratedTime,
    logIndex: b.Payload.logIndex,
    logId: b.Payload.logID,
    set: Buffer.from(b.SignedEntryTimestamp, 'base64'),
  };
}

function bundleEntry(relative: string): SignedEntry {
  const b = JSON.parse(fixtureText(relative)) as {
    verificationMaterial: {
      tlogEntries: {
        logIndex: string;
        integratedTime: string;
        logId: { keyId: string };
        canonicalizedBody: string;
        inclusionPromise: { signedEntryTimestamp: string };
      }[];
    };
  };
  const e = b.verificationMaterial.tlogEntries[0];
  if (e === undefined) throw new Error('no tlog entry');
  return {
    body: e.canonicalizedBody,
    integratedTime: Number(e.integratedTime),
    logIndex: Number(e.logIndex),
    logId: Buffer.from(e.logId.keyId, 'base64').toString('hex'),
    set: Buffer.from(e.inclusionPromise.signedEntryTimestamp, 'base64'),
  };
}

describe('public-good Rekor key', () => {
  it('has the published logID and is the same key as the fixtures rekor.pub', () => {
    expect(PUBLIC_GOOD_REKOR_KEYS).toHaveLength(1);
    expect(PUBLIC_GOOD_REKOR_KEYS[0]?.logId).toBe(PUBLIC_GOOD_LOG_ID);
    expect(fixtureRekorKey('ci-p256-key-rekor-set/rekor.pub').logId).toBe(PUBLIC_GOOD_LOG_ID);
    expect(PUBLIC_GOOD_REKOR_PEM.trim()).toBe(fixtureText('ci-p256-key-rekor-set/rekor.pub').trim());
    expect(Object.isFrozen(PUBLIC_GOOD_REKOR_KEYS)).toBe(true);
    const copy = publicGoodRekorKeys();
    copy.push(generateTestRekorKey().rekorKey);
    expect(PUBLIC_GOOD_REKOR_KEYS).toHaveLength(1);
  });

  it('parseRekorKey refuses what is not a public key', () => {
    expect(() => parseRekorKey('nonsense')).toThrow(GuardError);
    try {
      parseRekorKey('');
    } catch (e) {
      expect((e as GuardError).code).toBe(ReasonCode.KEY_UNAVAILABLE);
    }
  });
});

describe('verifySignedEntryTimestamp', () => {
  const realEntries: [string, SignedEntry][] = [
    ['ci-p256-key-rekor-set (hashedrekord)', legacyEntry('ci-p256-key-rekor-set/bundle.json')],
    ['gcpkms keyless layer (hashedrekord)', legacyEntry('gcpkms-p256-salrashid/keyless-layer/bundle.json')],
    ['kubewarden v3 bundle (dsse)', bundleEntry('v3-bundle-dsse-keyless-kubewarden/bundle.json')],
  ];

  it.each(realEntries)('verifies the real SET of %s with the public-good key', (_name, entry) => {
    expect(entry.logId).toBe(PUBLIC_GOOD_LOG_ID);
    expect(verifySignedEntryTimestamp(entry, PUBLIC_GOOD_REKOR_KEYS)).toBe(true);
  });

  it.each(realEntries)('rejects %s when any signed field changes or no log key matches', (_name, entry) => {
    expect(
      verifySignedEntryTimestamp(
        { ...entry, integratedTime: entry.integratedTime + 1 },
        PUBLIC_GOOD_REKOR_KEYS,
      ),
    ).toBe(false);
    expect(
      verifySignedEntryTimestamp({ ...entry, logIndex: entry.logIndex + 1 }, PUBLIC_GOOD_REKOR_KEYS),
    ).toBe(false);
    expect(verifySignedEntryTimestamp({ ...entry, body: entry.body.slice(4) }, PUBLIC_GOOD_REKOR_KEYS)).toBe(
      false,
    );
    expect(
      verifySignedEntryTimestamp({ ...entry, set: flipByte(entry.set, -1) }, PUBLIC_GOOD_REKOR_KEYS),
    ).toBe(false);
    expect(verifySignedEntryTimestamp(entry, [])).toBe(false);
    const stranger = generateTestRekorKey();
    expect(verifySignedEntryTimestamp(entry, [{ ...stranger.rekorKey, logId: PUBLIC_GOOD_LOG_ID }])).toBe(
      false,
    );
  });

  it('the negative fixture rekor-set-tampered fails', () => {
    expect(
      verifySignedEntryTimestamp(
        legacyEntry('negatives/rekor-set-tampered/bundle.json'),
        PUBLIC_GOOD_REKOR_KEYS,
      ),
    ).toBe(false);
  });

  it('accepts a SET made by the test signer and rejects garbage without throwing', () => {
    const rekor = generateTestRekorKey();
    const fields = {
      body: Buffer.from('{"kind":"x"}').toString('base64'),
      integratedTime: 1700000000,
      logIndex: 42,
    };
    const set = makeSet(rekor, fields);
    expect(verifySignedEntryTimestamp({ ...fields, logId: rekor.logId, set }, [rekor.rekorKey])).toBe(true);
    expect(
      verifySignedEntryTimestamp({ ...fields, logId: rekor.logId.toUpperCase(), set }, [rekor.rekorKey]),
    ).toBe(true);
    const bad: SignedEntry[] = [
      { ...fields, logId: rekor.logId, set: Buffer.alloc(0) },
      { ...fields, logId: rekor.logId, set: Buffer.from('not a signature') },
      { ...fields, integratedTime: -1, logId: rekor.logId, set },
      { ...fields, logIndex: 1.5, logId: rekor.logId, set },
      { ...fields, integratedTime: Number.NaN, logId: rekor.logId, set },
    ];
    for (const entry of bad) expect(verifySignedEntryTimestamp(entry, [rekor.rekorKey])).toBe(false);
  });

  it('property: any single byte flip in the SET fails', () => {
    const rekor = generateTestRekorKey();
    const fields = { body: 'eyJhIjoxfQ==', integratedTime: 1, logIndex: 2 };
    const set = makeSet(rekor, fields);
    fc.assert(
      fc.property(fc.nat({ max: set.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const copy = Buffer.from(set);
        copy[i] = (copy[i] ?? 0) ^ x;
        return !verifySignedEntryTimestamp({ ...fields, logId: rekor.logId, set: copy }, [rekor.rekorKey]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and writes no whitespace', () => {
    expect(canonicalJson({ logIndex: 1, body: 'b', logID: 'x', integratedTime: 2 })).toBe(
      '{"body":"b","integratedTime":2,"logID":"x","logIndex":1}',
    );
    expect(canonicalJson({ b: [1, { d: true, c: null }], a: 'é\n' })).toBe(
      '{"a":"é\\n","b":[1,{"c":null,"d":true}]}',
    );
    // RFC 8785 3.2.3 example ordering: code units, so "\u20ac" sorts before "\ud83d\ude00" despite code points.
    expect(canonicalJson({ '\u{1F600}': 1, '\u20ac': 2 })).toBe('{"€":2,"😀":1}');
  });

  it('writes numbers as ECMAScript does and refuses non-finite numbers', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 123.5])).toBe('[1e+21,1e-7,0,123.5]');
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow();
  });

  it('property: equals JSON.stringify of the same object with keys inserted in sorted order', () => {
    // Keys start with a letter so JavaScript keeps insertion order (integer-like keys would jump ahead).
    const key = fc.string().map((s) => `k${s}`);
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(fc.string(), fc.integer(), fc.boolean())), (obj) => {
        const sorted = Object.fromEntries(
          Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        );
        return canonicalJson(obj) === JSON.stringify(sorted);
      }),
    );
  });
});
