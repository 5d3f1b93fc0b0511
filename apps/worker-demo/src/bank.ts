// The bank: accounts in a SQLite-backed Durable Object. A transfer runs inside durableTransaction,
// so a failure halfway (after the debit, before the credit) leaves both balances untouched.
import { DurableObject } from "cloudflare:workers";
import { asyncWith } from "@asyncwith/core";
import { durableTransaction } from "@asyncwith/edge";

export class Bank extends DurableObject {
  #sql = this.ctx.storage.sql;

  constructor(ctx: DurableObjectState, env: never) {
    super(ctx, env);
    this.#sql.exec("CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS audit (at INTEGER, line TEXT)");
  }

  reset(balances: Record<string, number>): void {
    this.#sql.exec("DELETE FROM accounts");
    this.#sql.exec("DELETE FROM audit");
    for (const [id, balance] of Object.entries(balances))
      this.#sql.exec("INSERT INTO accounts VALUES (?, ?)", id, balance);
  }

  /** Moves `amount`; on failure nothing moved, and the reason comes back (an error thrown across RPC is logged by workerd as uncaught). */
  async transfer(
    from: string,
    to: string,
    amount: number,
    failHalfway: boolean,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await asyncWith(durableTransaction(this.ctx.storage), () => {
        this.#sql.exec("UPDATE accounts SET balance = balance - ? WHERE id = ?", amount, from);
        if (this.#balance(from) < 0) throw new Error(`insufficient funds in ${from}`);
        if (failHalfway) throw new Error(`the transfer failed halfway: ${from} was debited, ${to} not yet credited`);
        this.#sql.exec("UPDATE accounts SET balance = balance + ? WHERE id = ?", amount, to);
      });
      return { ok: true };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  balances(): Record<string, number> {
    return Object.fromEntries(
      this.#sql
        .exec<{ id: string; balance: number }>("SELECT id, balance FROM accounts ORDER BY id")
        .toArray()
        .map((r) => [r.id, r.balance]),
    );
  }

  #balance(id: string): number {
    return this.#sql.exec<{ balance: number }>("SELECT balance FROM accounts WHERE id = ?", id).one().balance;
  }

  audit(line: string): void {
    this.#sql.exec("INSERT INTO audit VALUES (?, ?)", Date.now(), line);
  }

  audits(): string[] {
    return this.#sql
      .exec<{ line: string }>("SELECT line FROM audit ORDER BY rowid")
      .toArray()
      .map((r) => r.line);
  }
}
