import { createHash } from 'node:crypto';
import type http from 'node:http';
import { forwardRequest, sendUpstream } from './forward';
import { readRequestBody, record, startLoopbackServer, type RecordedRequest } from './loopback-server';
import { sha256Digest } from './push';
import type { RegistryEndpoint } from './start-registry';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
/** cosign's OCI 1.1 `.sig` variant: a referrer whose layers are simple-signing payloads. */
const COSIGN_SIG_ARTIFACT = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const EMPTY_JSON = Buffer.from('{}');

export interface AmplifyingFrontOptions {
  /** Distinct signature manifests the referrers index lists. Default 1. */
  manifests?: number;
  /** How many times the index lists each of them. Default 50. */
  copies?: number;
  /** Simple-signing layers per manifest, each its own blob. Default 100. */
  layersPerManifest?: number;
  /** Size of every layer blob. Default 1 MiB. */
  layerBytes?: number;
  /** Also serve the first manifest at the subject's legacy `sha256-<hex>.sig` tag. Default false. */
  sigTag?: boolean;
}

/**
 * A registry that tries to exhaust its verifier: in front of a real registry (everything else is
 * forwarded), it answers the OCI referrers API of one subject with `manifests` signature
 * manifests listed `copies` times each, every manifest naming `layersPerManifest` distinct
 * `layerBytes` payloads with a (bogus) signature. Artifacts are generated, not stored, so the
 * issue's case (50 × 100 × 1 MiB) costs the test nothing until the client asks for it.
 */
export interface AmplifyingFront extends RegistryEndpoint {
  /** Every request received. */
  requests: RecordedRequest[];
  /** Requests for the generated artifacts, by kind. */
  served: { referrers: number; manifests: number; blobs: number; bytes: number };
  /** Amplifies for the image `subject` in `repo` (the image itself stays in the registry). */
  amplify(repo: string, subject: { digest: string; size: number; mediaType: string }): void;
  stop(): Promise<void>;
}

interface Generated {
  /** Layer digests (the payload of layer j is `payload(j)`). */
  layerDigests: string[];
  manifests: Map<string, Buffer>;
  /** In listing order: every manifest `copies` times. */
  listing: Array<{ mediaType: string; digest: string; size: number; artifactType: string }>;
}

function payload(index: number, size: number): Buffer {
  const bytes = Buffer.alloc(size, 0x20);
  bytes.write(`{"amplifying payload":${index}}`);
  return bytes;
}

function bogusSignature(manifest: number, layer: number): string {
  return createHash('sha512').update(`${manifest}/${layer}`).digest('base64');
}

export async function startAmplifyingFront(
  target: RegistryEndpoint,
  options: AmplifyingFrontOptions = {},
): Promise<AmplifyingFront> {
  const manifestCount = options.manifests ?? 1;
  const copies = options.copies ?? 50;
  const layers = options.layersPerManifest ?? 100;
  const layerBytes = options.layerBytes ?? 1024 * 1024;
  const requests: RecordedRequest[] = [];
  const served = { referrers: 0, manifests: 0, blobs: 0, bytes: 0 };
  const layerDigests = Array.from({ length: layers }, (_, j) => sha256Digest(payload(j, layerBytes)));
  const layerIndex = new Map(layerDigests.map((d, j) => [d, j]));
  let repo = '';
  let subject = '';
  let generated: Generated | undefined;

  const generate = (subjectDigest: string, subjectSize: number, subjectType: string): Generated => {
    const manifests = new Map<string, Buffer>();
    const distinct = Array.from({ length: manifestCount }, (_, m) => {
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: COSIGN_SIG_ARTIFACT,
          config: { mediaType: OCI_EMPTY, digest: sha256Digest(EMPTY_JSON), size: EMPTY_JSON.length },
          layers: layerDigests.map((digest, j) => ({
            mediaType: SIMPLE_SIGNING,
            digest,
            size: layerBytes,
            annotations: { [SIGNATURE_ANNOTATION]: bogusSignature(m, j) },
          })),
          subject: { mediaType: subjectType, digest: subjectDigest, size: subjectSize },
        }),
      );
      const digest = sha256Digest(bytes);
      manifests.set(digest, bytes);
      return { mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType: COSIGN_SIG_ARTIFACT };
    });
    const listing = Array.from({ length: copies }, () => distinct).flat();
    return { layerDigests, manifests, listing };
  };

  const send = (
    res: http.ServerResponse,
    body: Buffer,
    contentType: string,
    extra: Record<string, string> = {},
  ): void => {
    served.bytes += body.length;
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': String(body.length),
      'docker-content-digest': sha256Digest(body),
      ...extra,
    });
    res.end(body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    requests.push(record(req));
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    if (repo !== '' && req.method === 'GET') {
      if (path === `/v2/${repo}/referrers/${subject}`) {
        const g = generated as Generated;
        served.referrers++;
        const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: g.listing };
        return send(res, Buffer.from(JSON.stringify(index)), OCI_INDEX);
      }
      const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
      if (manifest?.[1] === repo) {
        const g = generated as Generated;
        const reference = manifest[2] ?? '';
        const sigTag = `${subject.replace(':', '-')}.sig`;
        const first = g.listing[0]?.digest ?? '';
        const bytes =
          g.manifests.get(reference) ??
          (options.sigTag && reference === sigTag ? g.manifests.get(first) : undefined);
        if (bytes) {
          served.manifests++;
          return send(res, bytes, OCI_MANIFEST);
        }
      }
      const blob = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path);
      const j = blob?.[1] === repo ? layerIndex.get(blob[2] ?? '') : undefined;
      if (j !== undefined) {
        served.blobs++;
        return send(res, payload(j, layerBytes), 'application/octet-stream');
      }
    }
    const body = await readRequestBody(req);
    const upstream = await forwardRequest(target, req, body);
    served.bytes += upstream.body.length;
    sendUpstream(req, res, upstream);
  };

  const server = await startLoopbackServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`amplifying front: ${e instanceof Error ? e.message : String(e)}`);
    });
  });

  return {
    host: server.host,
    url: server.url,
    requests,
    served,
    amplify: (r, image) => {
      repo = r;
      subject = image.digest;
      generated = generate(image.digest, image.size, image.mediaType);
    },
    stop: () => server.stop(),
  };
}
