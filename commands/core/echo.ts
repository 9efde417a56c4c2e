// Caps what magi repeats of user input, so a huge message can't make a reply, log line or audit row huge too.

// How much of a typed name or argument a reply repeats.
export const ECHO_MAX = 80;

// The text as typed, or its first max-1 characters and an ellipsis; counts code points, so an emoji is never cut in half.
export function capEcho(text: string, max = ECHO_MAX): string {
  if (text.length <= max) return text;
  const chars = Array.from(text.slice(0, max * 2));
  if (chars.length <= max && text.length <= max * 2) return text;
  return `${chars.slice(0, max - 1).join("")}…`;
}
