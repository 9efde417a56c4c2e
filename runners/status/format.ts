// Small number formats shared by the row and detail views.

const UNITS: [string, number][] = [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]];

// Uptime in its largest units, `parts` of them from the first non-zero one: "3d 4h", "5h 12m", "45s".
export function formatUptime(seconds: number, parts = 2): string {
  let rest = Math.max(0, Math.floor(seconds));
  const counts = UNITS.map(([name, size]) => {
    const count = Math.floor(rest / size);
    rest -= count * size;
    return { name, count };
  });
  const first = counts.findIndex((c) => c.count > 0);
  if (first < 0) return "0s";
  return counts.slice(first, first + parts).filter((c) => c.count > 0).map((c) => `${c.count}${c.name}`).join(" ");
}

// Milliseconds as seconds with one decimal: "0.4 s".
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// A load average the way uptime(1) prints it.
export function formatLoad(load: number): string {
  return load.toFixed(2);
}
