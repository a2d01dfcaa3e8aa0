"""Test helpers: the small district and its personas, browser launchers, calendars. Product code never imports them."""
