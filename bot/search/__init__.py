"""Search and connections (issue 14): the community's memory.

words.py makes the stems both databases index; index.py keeps `search_documents` in step inside the
transaction of each change (every feature calls it); query.py reads a person's search, finds and ranks
it with the database's full-text index, and hydrates what the results show; connections.py suggests the
people behind similar work when a project starts or a mentor is asked.
"""
