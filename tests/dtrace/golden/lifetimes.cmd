lifetimes.d all_events.ev
