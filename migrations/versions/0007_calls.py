"""calls: a record of every voice call; widgets may record them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('widget_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('transport', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.Column('ended_by', sa.String(length=16), nullable=True),
    sa.Column('turns', sa.JSON(), nullable=False),
    sa.Column('handed_off', sa.Boolean(), nullable=False),
    sa.Column('recording_name', sa.String(length=64), nullable=True),
    sa.Column('recording_bytes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_calls_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_calls_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['widget_id'], ['widgets.id'], name=op.f('fk_calls_widget_id_widgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('public_id', name=op.f('uq_calls_public_id')),
    sa.UniqueConstraint('recording_name', name=op.f('uq_calls_recording_name'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_calls_tenant_id_id', ['tenant_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_widget_id'), ['widget_id'], unique=False)

    with op.batch_alter_table('widgets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_calls', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('recording_retention_days', sa.Integer(), nullable=False, server_default='30'))


def downgrade():
    with op.batch_alter_table('widgets', schema=None) as batch_op:
        batch_op.drop_column('recording_retention_days')
        batch_op.drop_column('record_calls')

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_widget_id'))
        batch_op.drop_index('ix_calls_tenant_id_id')
        batch_op.drop_index(batch_op.f('ix_calls_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_calls_conversation_id'))

    op.drop_table('calls')
