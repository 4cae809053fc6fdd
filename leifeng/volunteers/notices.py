"""The privacy notice shown at registration (PIPL arts. 17, 31). Change the text in
templates/volunteers/privacy_notice.html and raise the version: consents record the version
each person saw."""

PRIVACY_NOTICE_VERSION = "2026-11"
