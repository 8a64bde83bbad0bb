"""Consultation on drafts (góp ý dự thảo): comments on a draft's articles, grouped by what they ask for."""
