/** What the person sees when an import fails: the file and where in it, never a stack trace. */
export class ImportFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFailure';
  }
}
