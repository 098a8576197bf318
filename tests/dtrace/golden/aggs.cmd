aggs.d all_events.ev
