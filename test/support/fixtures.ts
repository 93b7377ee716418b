import path from 'node:path';

/** Real cosign signature vectors, copied into the repository with their sources (see NOTICE). */
export const COSIGN_REAL_FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'cosign-real');
