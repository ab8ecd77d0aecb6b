declare module 'aws-kcl' {
  namespace kcl {
    interface Checkpointer {
      checkpoint(callback: (error?: unknown, sequenceNumber?: string) => void): void;
      checkpoint(sequenceNumber: string, callback: (error?: unknown, sequenceNumber?: string) => void): void;
    }
  }
  // biome-ignore lint/suspicious/noExplicitAny: the package's record processor callbacks are untyped.
  function kcl(recordProcessor: Record<string, (input: any, done: () => void) => void>): { run(): void };
  export = kcl;
}
