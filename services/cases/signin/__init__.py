"""Officials' sign-in (issue 17), served by cases for every service's pages.

`table` the accounts, `accounts` their use cases (also behind `zuofeng user`), `passwords`
argon2id hashes, `totp` second factors sealed at rest, `lockout` failed-attempt rules,
`nextpage` where a sign-in may return to, `audit` the records of every sign-in and sign-out,
`oidc` an organisation's identity provider, `routes` the pages.
"""
