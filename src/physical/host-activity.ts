// When hosts last moved data on each virtual library's drives: idle copies (tape caching, issue 15) start after
// `copy.idleMinutes` without it and pause at the first such command. The composition root feeds every drive
// command answered here; status polling (TEST UNIT READY, INQUIRY, LOG SENSE...) is not I/O and does not count,
// or a monitoring host would keep every library busy for ever.

/** The drive commands that move the tape or its data (the command table's names). */
const HOST_IO = /^(READ|WRITE|WRITE FILEMARKS|SPACE|LOCATE|VERIFY)\(\d+\)$|^(REWIND|ERASE|LOAD UNLOAD)$/;

export function isHostIoCommand(name: string): boolean {
  return HOST_IO.test(name);
}

export type HostIoListener = (library: string) => void;

export class HostActivity {
  private readonly lastIoMs = new Map<string, number>();
  private readonly listeners = new Set<HostIoListener>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** A drive of `library` answered `command` (a command table name). */
  commandDone(library: string, command: string): void {
    if (!isHostIoCommand(command)) return;
    this.lastIoMs.set(library, this.nowMs());
    for (const l of this.listeners) l(library);
  }

  /** Milliseconds since a host last did I/O on `library`; since `startedMs` when none did since the start. */
  quietMs(library: string, startedMs: number): number {
    return this.nowMs() - (this.lastIoMs.get(library) ?? startedMs);
  }

  /** Called at each host I/O command (a copy pauses at once). */
  on(listener: HostIoListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
