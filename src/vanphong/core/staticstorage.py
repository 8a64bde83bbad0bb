from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names after `collectstatic` (which `vanphong serve` runs); before it, as in
    tests, plain names served from the apps' folders rather than an error."""

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the plain name, which WhiteNoise finds in the app
            return name
