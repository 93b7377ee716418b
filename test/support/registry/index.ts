/**
 * Real-registry test harness: a `docker-registry` (distribution 2.8.2) on loopback with TLS,
 * htpasswd or Bearer token auth; a minimal push client; a fault-injecting proxy; a front that
 * adds the OCI referrers API; and an @sigstore/oci writer. See each module's JSDoc.
 */
export { startRegistry } from './start-registry';
export type { RegistryEndpoint, StartRegistryOptions, StartedRegistry } from './start-registry';
export { createTestPki } from './pki';
export type { TestPki } from './pki';
export type { TokenServer, TokenRequestRecord } from './token-server';
export { pushArtifact, pushBlob, pushManifest, sha256Digest } from './push';
export type { Pushed, PushedManifest } from './push';
export {
  pushImage,
  pushIndex,
  pushReferrer,
  pushReferrersTagIndex,
  descriptorOf,
  EMPTY_JSON,
  TestMediaType,
} from './images';
export type { DescriptorJson, PushImageOptions, PushReferrerOptions } from './images';
export { startFaultProxy } from './fault-proxy';
export type { Fault, FaultProxy, FaultRule, RecordingServer } from './fault-proxy';
export { startReferrersFront } from './referrers-front';
export type { ReferrersFront, ReferrersFrontOptions } from './referrers-front';
export { startAmplifyingFront } from './amplifying-front';
export type { AmplifyingFront, AmplifyingFrontOptions } from './amplifying-front';
export { attachWithSigstoreOci } from './sigstore-oci';
export { startLoopbackServer, record } from './loopback-server';
export type { LoopbackServer, RecordedRequest } from './loopback-server';
export { simpleRequest } from './http';
