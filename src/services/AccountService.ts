import type { AccountRepository } from '../store/AccountRepository';

/**
 * Account deletion: every stored item of the person (AccountRepository.deleteEverything knows
 * where they all live), then whatever this process holds in memory about them.
 */
export class AccountService {
  constructor(
    private readonly o: {
      accounts: AccountRepository;
      /** Drops what the process holds in memory for the person (decoded history, taste). */
      forget: (userId: string) => void;
    },
  ) {}

  async delete(userId: string): Promise<{ items: number }> {
    const result = await this.o.accounts.deleteEverything(userId);
    this.o.forget(userId);
    return result;
  }
}
