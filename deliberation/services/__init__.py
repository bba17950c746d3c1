"""Every change to a roundtable: permission check, validation, one transaction writing the change and its
Event, publication after commit. Consumers and views call these and nothing else to write."""
