import { version } from '../../package.json';

/** Sent on every request so registry operators can tell the guard's reads from image pulls. */
export const USER_AGENT = `ecs-image-guard/${version}`;
