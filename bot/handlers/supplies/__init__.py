"""Supplies: handouts (/phat, /handout), stock on hand (/ton, /stock), physical counts
(/dem, /count) and receipts for station leads (/nhan, /receive), quick or guided by item
buttons and a number prompt. Every write is keyed by the update, so a redelivered message
counts once.

Where things are: ``commands`` answers the four commands; a command with no item goes on
in ``guided`` (item buttons, then a number), one with items — or plain words that read as a
report — in ``typed_reports`` (confirmed with buttons when its action or an item is
missing), which finds each line's item with ``report_items``. ``actions`` knows the station
each action is for and writes the lines; ``replies`` says what was written.
"""
