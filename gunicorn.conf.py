# gunicorn reads this file from the directory it starts in (the Procfile's, the tests').
# The longest request line gunicorn takes (its own maximum); a longer one, or headers past
# gunicorn's limits, is answered by gunicorn itself, before the application: 414 or 400, in
# gunicorn's HTML. The API's own links stay far below it (a cursor is about 100 characters).
limit_request_line = 8190
