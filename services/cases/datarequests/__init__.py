"""The burden-reduction guard (measure 四, issue 22): a register of the data requests and
checks units aim at villages, refusing what the plan forbids and flagging repeated checks."""
