// The ping benchmark's floor: the smallest matrix-bot-sdk bot there is, answering "!ping" with a
// "pong" reply and nothing else, on the SDK version magi uses. Run by bench/ping.ts as its own
// process: node --import tsx bench/bare-bot.ts HOMESERVER_URL ACCESS_TOKEN
import { LogLevel, LogService, MatrixClient, MemoryStorageProvider } from "matrix-bot-sdk";

const [homeserverUrl, accessToken] = process.argv.slice(2);
if (!homeserverUrl || !accessToken) {
  console.error("usage: bare-bot.ts HOMESERVER_URL ACCESS_TOKEN");
  process.exit(2);
}
// Quiet like magi, which routes the SDK's per-request info lines to debug and mutes its HTTP errors.
LogService.setLevel(LogLevel.WARN);
LogService.muteModule("MatrixHttpClient");
const client = new MatrixClient(homeserverUrl, accessToken, new MemoryStorageProvider());
const self = await client.getUserId();
client.on("room.message", (roomId: string, event: { sender: string; content?: { body?: unknown } }) => {
  if (event.sender === self || event.content?.body !== "!ping") return;
  void client.replyText(roomId, event, "pong");
});
await client.start();
console.log("bare bot ready");
