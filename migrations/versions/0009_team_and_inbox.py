"""the team and its inbox: roles, names and avatars, invitations, assignment, notes, saved replies, reads

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('admins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=80), nullable=False, server_default=''))
        # Everyone who could sign in before teams existed could do everything.
        batch_op.add_column(sa.Column('role', sa.String(length=8), nullable=False, server_default='owner'))
        batch_op.add_column(sa.Column('avatar_storage_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('avatar_content_type', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_admins_avatar_storage_name'), ['avatar_storage_name'])

    with op.batch_alter_table('widgets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_time_text', sa.String(length=80), nullable=False, server_default=''))

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_conversations_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_conversations_assignee_id_admins'), 'admins', ['assignee_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('widget_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_url', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['admins.id'], name=op.f('fk_invitations_invited_by_id_admins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_invitations_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_invitations_public_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('conversation_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['admins.id'], name=op.f('fk_conversation_notes_admin_id_admins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_notes_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_notes')),
    sa.UniqueConstraint('public_id', name=op.f('uq_conversation_notes_public_id'))
    )
    with op.batch_alter_table('conversation_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_notes_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('saved_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('shortcut', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_saved_replies_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_replies')),
    sa.UniqueConstraint('public_id', name=op.f('uq_saved_replies_public_id')),
    sa.UniqueConstraint('tenant_id', 'shortcut', name='uq_saved_replies_tenant_id_shortcut')
    )
    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_replies_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('conversation_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('last_read_message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['admins.id'], name=op.f('fk_conversation_reads_admin_id_admins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_reads_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_reads')),
    sa.UniqueConstraint('admin_id', 'conversation_id', name='uq_conversation_reads_admin_id_conversation_id')
    )
    with op.batch_alter_table('conversation_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_reads_conversation_id'), ['conversation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('conversation_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_reads_conversation_id'))
    op.drop_table('conversation_reads')
    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_replies_tenant_id'))
    op.drop_table('saved_replies')
    with op.batch_alter_table('conversation_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_notes_conversation_id'))
    op.drop_table('conversation_notes')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_tenant_id'))
    op.drop_table('invitations')
    with op.batch_alter_table('widget_sessions', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('user_agent')
        batch_op.drop_column('page_url')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conversations_assignee_id_admins'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_conversations_assignee_id'))
        batch_op.drop_column('assignee_id')
    with op.batch_alter_table('widgets', schema=None) as batch_op:
        batch_op.drop_column('reply_time_text')
    with op.batch_alter_table('admins', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_admins_avatar_storage_name'), type_='unique')
        batch_op.drop_column('avatar_content_type')
        batch_op.drop_column('avatar_storage_name')
        batch_op.drop_column('role')
        batch_op.drop_column('display_name')
