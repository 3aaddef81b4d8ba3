/**
 * The empty directories bubblewrap creates on the host as mount points for missing protected subpaths (`.git`,
 * `.codex`, … of a writable root). They are counted per path across the thread's running commands and removed
 * (only if still empty) when the last command using one ends, so the user's tree is left as it was.
 */
export class SyntheticMounts {
  private readonly counts = new Map<string, number>();

  /** `removeEmptyDir` must remove an empty directory and do nothing otherwise (e.g. `fs.rmdirSync` in a try). */
  constructor(private readonly removeEmptyDir: (path: string) => void) {}

  acquire(paths: readonly string[]): void {
    for (const p of paths) this.counts.set(p, (this.counts.get(p) ?? 0) + 1);
  }

  release(paths: readonly string[]): void {
    for (const p of paths) {
      const left = (this.counts.get(p) ?? 1) - 1;
      if (left > 0) {
        this.counts.set(p, left);
      } else {
        this.counts.delete(p);
        this.removeEmptyDir(p);
      }
    }
  }
}
