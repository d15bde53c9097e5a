"""What every imbridge process shares: the runtime, the inbox, the outbox and the retry policy."""
