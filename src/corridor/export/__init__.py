"""Writers of the record for other tools: the log as static C2SP tlog-tiles files."""
