import type { AccountRepository } from '../store/AccountRepository';
import type { TombstoneRepository } from '../store/TombstoneRepository';

/**
 * Account deletion, final even while the person's imports or live capture run (the tombstone rule
 * and the order of the steps: keys.ts). Tombstone first, so no background writer of any process
 * writes again; then this process's imports and capture are cancelled and waited for (and imports
 * other workers run, for a bounded time); then every stored item of the person is removed
 * (AccountRepository.deleteEverything knows where they all live), twice, so a write that was
 * already in flight when the tombstone landed is swept too; then whatever this process holds in
 * memory about them is dropped.
 */
export class AccountService {
  constructor(
    private readonly o: {
      accounts: AccountRepository;
      tombstones: TombstoneRepository;
      /** Cancels and waits for the person's background writers (imports, capture) in this process; removes pending uploads. */
      stopWriters: (userId: string) => Promise<void>;
      /** Drops what the process holds in memory for the person (decoded history, taste). */
      forget: (userId: string) => void;
    },
  ) {}

  async delete(userId: string): Promise<{ items: number }> {
    await this.o.tombstones.mark(userId);
    await this.o.stopWriters(userId);
    const result = await this.o.accounts.deleteEverything(userId);
    // A batch another process had already sent when the tombstone landed: gone by now, swept here.
    const again = await this.o.accounts.deleteEverything(userId);
    await this.o.tombstones.finish(userId);
    this.o.forget(userId);
    return { items: result.items + again.items };
  }
}
