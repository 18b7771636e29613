"""Survivor services: the directory of service points, referrals of victims, and the reports on
care within 72 hours and on where services are missing."""
