/** What the bench hands to a measurement that runs in a fresh process, and gets back. */
import type { BenchImage } from './signed-images';

export type ChildTask = 'throughput' | 'lambda';

export interface ChildInput {
  /** The registry host (policy rules match its images). */
  host: string;
  /** Hosts reached over plain HTTP: the registry and its token service. */
  insecure: string[];
  /** The signing key's public half: PEM (engine) and DER SPKI in base64 (what KMS returns). */
  keyPem: string;
  spkiDerBase64: string;
  legacy: BenchImage[];
  bundle: BenchImage[];
  unsigned: BenchImage;
}
