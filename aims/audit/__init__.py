"""The portal's own audit trail: who logged in, used a token, downloaded, approved or changed what."""
