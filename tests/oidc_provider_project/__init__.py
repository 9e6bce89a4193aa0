"""A tiny OpenID Connect provider (django-oidc-provider) that the single sign-on tests start as a real server."""
