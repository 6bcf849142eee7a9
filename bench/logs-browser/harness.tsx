// The log viewer alone in a page, fed by a synthetic stream at a chosen rate the way useLogStream
// feeds it (one new entries array per frame, the oldest dropped beyond the cap). Used by the
// logs-browser benchmark; `?rate=20000&machines=3&dark=1&q=…` in the URL.
import { useCallback, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { type LogFilter, NO_FILTER } from "../../app/_components/log-viewer/filter";
import { DEFAULT_CAP, LogViewer } from "../../app/_components/log-viewer/log-viewer";
import type { LogEntry, LogMachine, MachineStreamState } from "../../server/model/log-lines";

const params = new URLSearchParams(location.search);
const RATE = Number(params.get("rate") ?? 1000);
const MACHINES = Number(params.get("machines") ?? 3);
const PRELOAD = Number(params.get("preload") ?? 0);
if (params.get("dark") === "1") document.documentElement.classList.add("dark");

const machines: LogMachine[] = Array.from({ length: MACHINES }, (_, i) => ({
  id: `m${i}`,
  hostname: `store-${String(1042 + i)}-w-${i + 1}`,
}));

let seq = 0;
function lineText(k: number, t: number): string {
  const iso = new Date(t).toISOString();
  switch (k % 6) {
    case 0:
      return `{"ts":${t}.4713,"caller":"kubelet/kubelet.go:2453","msg":"SyncLoop (PLEG): event for pod","pod":"kube-system/coredns-${k % 97}","v":0}`;
    case 1:
      return `${iso}\t\x1b[34mINFO\x1b[0m\tcontroller started\t{"controller": "network.AddressStatusController", "n": ${k}}`;
    case 2:
      return `{"level":"warn","ts":"${iso}","caller":"etcdserver/util.go:170","msg":"apply request took too long","took":"${100 + (k % 400)}ms"}`;
    case 3:
      return `time="${iso}" level=info msg="garbage collected" d=${1 + (k % 9)}.${k % 97}ms`;
    case 4:
      return `E1125 10:11:12.345678    1234 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \\"StartContainer\\"" pod="default/web-${k % 31}"`;
    default:
      return `${iso.replace("T", " ").replace("Z", "")} [talos] task startAllServices (1/1): waiting for ${k % 8} services`;
  }
}

function makeLines(count: number, now: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = 0; i < count; i++) {
    seq++;
    out.push({
      type: "line",
      seq,
      machineId: `m${seq % MACHINES}`,
      time: now - (count - i) / 1000,
      text: lineText(seq, now),
    });
  }
  return out;
}

interface Stats {
  appended: number;
  frames: number[];
  started: number;
}
declare global {
  interface Window {
    benchStats: Stats;
    benchStart(): void;
  }
}
window.benchStats = { appended: 0, frames: [], started: 0 };

function useSyntheticStream() {
  const [entries, setEntries] = useState<readonly LogEntry[]>(() => makeLines(PRELOAD, Date.now()));
  const [paused, setPausedState] = useState(false);
  const [buffered, setBuffered] = useState(0);
  const [dropped, setDropped] = useState(0);
  const held = useRef<LogEntry[]>([]);
  const pausedRef = useRef(false);
  const running = useRef(params.get("autostart") !== "0");
  useEffect(() => {
    window.benchStart = () => {
      window.benchStats = { appended: 0, frames: [], started: performance.now() };
      running.current = true;
    };
    let last = performance.now();
    let carry = 0;
    let raf = 0;
    const tick = (now: number) => {
      const dt = now - last;
      last = now;
      if (running.current) {
        window.benchStats.frames.push(dt);
        carry += (RATE * dt) / 1000;
        const count = Math.floor(carry);
        carry -= count;
        if (count > 0) {
          const fresh = makeLines(count, Date.now());
          window.benchStats.appended += count;
          if (pausedRef.current) {
            held.current.push(...fresh);
            setBuffered(held.current.length);
          } else {
            setEntries((prev) => {
              const next = prev.concat(fresh);
              if (next.length <= DEFAULT_CAP) return next;
              setDropped((d) => d + next.length - DEFAULT_CAP);
              return next.slice(next.length - DEFAULT_CAP);
            });
          }
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, []);
  const setPaused = useCallback((p: boolean) => {
    pausedRef.current = p;
    setPausedState(p);
    if (!p && held.current.length) {
      const flush = held.current;
      held.current = [];
      setBuffered(0);
      setEntries((prev) => prev.concat(flush).slice(-DEFAULT_CAP));
    }
  }, []);
  const states = new Map<string, MachineStreamState>(
    machines.map((m, i) => [
      m.id,
      i === 1 && MACHINES > 2
        ? { machineId: m.id, status: "retrying", message: "rebooting: retrying in 4 s" }
        : { machineId: m.id, status: "streaming", message: "" },
    ]),
  );
  return {
    entries,
    states,
    paused,
    setPaused,
    buffered,
    droppedOldest: dropped,
    clear: () => setEntries([]),
    error: undefined,
  };
}

const SELECT =
  "h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm dark:border-zinc-700 dark:bg-zinc-950";

function Harness() {
  const stream = useSyntheticStream();
  const [filter, setFilter] = useState<LogFilter>({ ...NO_FILTER, query: params.get("q") ?? "" });
  return (
    <main className="p-4">
      <LogViewer
        machines={machines}
        stream={stream}
        source="kubelet"
        filter={filter}
        onFilterChange={setFilter}
        controls={
          // What the pages put here (source, tail, follow), for a realistic toolbar.
          <>
            <select aria-label="Log source" className={SELECT}>
              <option>kubelet</option>
            </select>
            <select aria-label="Lines before following" className={SELECT}>
              <option>Last 500 lines</option>
            </select>
            <label className="inline-flex items-center gap-1.5 text-sm">
              <input type="checkbox" className="size-4 accent-indigo-600" defaultChecked />
              Follow
            </label>
          </>
        }
      />
    </main>
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<Harness />);
