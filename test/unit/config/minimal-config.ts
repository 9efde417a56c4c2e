// The smallest valid config file, which config tests extend with the sections they exercise.

// A matrix section that passes validation.
export const MATRIX_YAML = `
matrix:
  homeserver_url: http://127.0.0.1:8008
  user_id: "@magi:localhost"
  access_token_env: MAGI_TOKEN
`;

// A whole config with one room and nothing else.
export const MINIMAL_YAML = `${MATRIX_YAML}rooms:
  "!room:localhost": {}
`;
