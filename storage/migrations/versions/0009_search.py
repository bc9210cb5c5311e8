"""search: the community's memory (issue 14), and who may be suggested to others

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 08:40:00

`search_documents` holds each searchable thing as stems made in Python (bot/search/words.py), the
same on both databases. The full-text index over it is the database's own, kept in step by the
database in the transaction that changes a document:

- SQLite: an FTS5 table over the three term columns (external content, so the words are stored
  once) with triggers on insert, update and delete;
- PostgreSQL: a generated tsvector column with weights (title A, topics B, body C) and a GIN index.

The stems are already accent-free and lower case, so both index them with their plainest tokenizer
('unicode61' without diacritics folding, the 'simple' configuration): no stemmer or stop list of
the database's own stands between a query and the same result on both.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_terms, topic_terms, body_terms, "
    "content='search_documents', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, topic_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.topic_terms, new.body_terms); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, topic_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.topic_terms, old.body_terms); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, topic_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.topic_terms, old.body_terms); "
    "INSERT INTO search_fts(rowid, title_terms, topic_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.topic_terms, new.body_terms); END",
]
POSTGRES_VECTOR = [
    "ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_terms), 'A') || "
    "setweight(to_tsvector('simple', topic_terms), 'B') || "
    "setweight(to_tsvector('simple', body_terms), 'C')) STORED",
    "CREATE INDEX ix_search_documents_vector ON search_documents USING gin (search_vector)",
]


def upgrade() -> None:
    with op.batch_alter_table('members') as batch:
        batch.add_column(sa.Column('suggest_me', sa.Boolean(), server_default='1', nullable=False))
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.String(length=32), nullable=True),
    sa.Column('title_terms', sa.Text(), nullable=False),
    sa.Column('topic_terms', sa.Text(), nullable=False),
    sa.Column('body_terms', sa.Text(), nullable=False),
    sa.Column('happened_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['qi_projects.id'], name=op.f('fk_search_documents_project_id_qi_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('team_id', 'kind', 'ref_id', name=op.f('uq_search_documents_team_id_kind_ref_id'))
    )
    op.create_index('ix_search_documents_team_kind_at', 'search_documents', ['team_id', 'kind', 'happened_at'], unique=False)
    op.create_table('connection_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('suggested_id', sa.String(length=32), nullable=False),
    sa.Column('because_project_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['because_project_id'], ['qi_projects.id'], name=op.f('fk_connection_suggestions_because_project_id_qi_projects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_suggestions')),
    sa.UniqueConstraint('team_id', 'subject', 'suggested_id', name=op.f('uq_connection_suggestions_team_id_subject_suggested_id'))
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == 'sqlite' else POSTGRES_VECTOR
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('search_fts_insert', 'search_fts_delete', 'search_fts_update'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('connection_suggestions')
    op.drop_index('ix_search_documents_team_kind_at', table_name='search_documents')
    op.drop_table('search_documents')
    with op.batch_alter_table('members') as batch:
        batch.drop_column('suggest_me')
