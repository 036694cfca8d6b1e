"""Pages in the language a logged-in person chose.

Django's LocaleMiddleware picks the language from the URL, the language cookie or the
browser's Accept-Language. For a logged-in person who stored a language (`User.language`,
set on "Language" in the account menu, or by the language switcher in the header, which
saves it), that stored choice wins on every request, so it follows them from one browser to
another. A person who stored none keeps LocaleMiddleware's choice.
"""

from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
