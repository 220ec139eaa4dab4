"""Written notices (书面告知, issue 22): a reporter who came by letter or in person and left no
phone or mail, only a postal address, gets the acceptance, extension and result notices as a
printed letter. The worker queues the letter's text (the same templates as the mail and SMS);
officials of the unit that took the report (the city office's for all) list the queue, download
each letter as a PDF, when the sealed address is opened in memory and printed on it, and mark
it printed. The address is never stored or sent in clear."""
