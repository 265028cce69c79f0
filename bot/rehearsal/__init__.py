"""The rehearsal: a whole chat in the terminal, at N times speed, from scripted answers."""
