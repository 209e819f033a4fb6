"""messages: the client id a visitor's message was sent with, unique per conversation

A resend (after a reconnect, a retried POST) names the same client id and is not
stored twice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_messages_conversation_id_client_id'), ['conversation_id', 'client_id']
        )


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_messages_conversation_id_client_id'), type_='unique')
        batch_op.drop_column('client_id')
