"""Users and their third-party bindings (QR-code and mini-program login).

Revision ID: users_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "users_0001"
down_revision = "0001"
branch_labels = ("users",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "third_party_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("openid", sa.String(128), nullable=False),
        sa.Column("unionid", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_third_party_bindings_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_third_party_bindings")),
        sa.UniqueConstraint("platform", "openid", name=op.f("uq_third_party_bindings_platform")),
    )
    op.create_index("ix_third_party_bindings_user_id", "third_party_bindings", ["user_id"])
    op.create_index("ix_third_party_bindings_unionid", "third_party_bindings", ["unionid"])


def downgrade() -> None:
    op.drop_index("ix_third_party_bindings_unionid", table_name="third_party_bindings")
    op.drop_index("ix_third_party_bindings_user_id", table_name="third_party_bindings")
    op.drop_table("third_party_bindings")
    op.drop_table("users")
