"""The officials' pages of cases (issue 17): the workbench, the case page with its action forms,
approvals, triage, transfers, the exposure board and the audit trail. The pages run the same
scope, state-machine and audit code as the JSON API; only the rendering is theirs."""
