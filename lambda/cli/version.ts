/** Set by scripts/build-cli.mjs from package.json; "dev" when the sources run unbundled. */
declare const IMAGE_GUARD_VERSION: string | undefined;

export const CLI_VERSION: string = typeof IMAGE_GUARD_VERSION === 'string' ? IMAGE_GUARD_VERSION : 'dev';
