// Splits http.listen ("127.0.0.1:9187", "[::1]:9187") into what the server binds.
export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(":");
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(listen.slice(colon + 1)) };
}
