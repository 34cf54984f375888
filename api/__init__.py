"""The Flask JSON API and analyst web pages."""
