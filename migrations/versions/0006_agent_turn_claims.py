"""agent turn claims: the answer a conversation is owed, and the lease of the worker answering it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_turn_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('agent_turn_claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_conversations_agent_turn_due_at'), ['agent_turn_due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_agent_turn_due_at'))
        batch_op.drop_column('agent_turn_claimed_until')
        batch_op.drop_column('agent_turn_due_at')
