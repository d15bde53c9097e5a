"""Blob uploads: each API client's own filename, type and time over stored bytes that may be shared.

Blobs stored before this had no owner; each gets an owner-less upload (its filename, type and time as stored),
which only admin keys see. A client that needs one of them again uploads the file: the same bytes keep their id.

Revision ID: notifications_0003
Revises: notifications_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "notifications_0003"
down_revision = "notifications_0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "blob_uploads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("blob_id", sa.String(64), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blob_uploads")),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.id"], ondelete="CASCADE",
                                name=op.f("fk_blob_uploads_blob_id_blobs")),
        sa.ForeignKeyConstraint(["client_id"], ["api_clients.id"], ondelete="CASCADE",
                                name=op.f("fk_blob_uploads_client_id_api_clients")),
        sa.UniqueConstraint("client_id", "blob_id", name="uq_blob_uploads_client_id_blob_id"),
    )
    op.create_index("ix_blob_uploads_blob_id", "blob_uploads", ["blob_id"])
    op.execute("INSERT INTO blob_uploads (blob_id, client_id, filename, content_type, created_at) "
               "SELECT id, NULL, filename, content_type, created_at FROM blobs")


def downgrade() -> None:
    op.drop_index("ix_blob_uploads_blob_id", table_name="blob_uploads")
    op.drop_table("blob_uploads")
