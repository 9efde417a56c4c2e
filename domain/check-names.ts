// How dead-man's-switch checks are addressed by pings: healthchecks.io's uuid, slug and ping-key shapes, written once.

// A version-4 uuid: the only uuid a check may have, since the uuid alone lets anyone ping it and must not be guessable.
export const UUID_V4_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// The refusal for a uuid that is not version 4.
export const UUID_V4_MESSAGE = "expected a random (version 4) uuid in lower case, e.g. from `uuidgen -r`";
// Any uuid, as a ?rid= run id may be.
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A slug as healthchecks.io allows it.
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,99}$/;
// The refusal for a slug.
export const SLUG_MESSAGE = "expected a slug of lower-case letters, digits, dashes and underscores";
// A ping key: long and random, from an alphabet safe in a URL path.
export const PING_KEY_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
// The refusal for a ping key file's contents.
export const PING_KEY_MESSAGE = "must hold a ping key of 22-128 letters, digits, dashes or underscores, e.g. from `openssl rand -hex 24`";
