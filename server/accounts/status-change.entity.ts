import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { AccountStatus } from '../common/enums';

/** One entry of an account's status history (opened, suspended, closed, reopened). */
@ObjectType({ description: '账号状态变更记录 (status history entry)' })
@Entity('account_status_history')
export class AccountStatusChange {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int', { name: 'account_id' })
  accountId: number;

  @Field(() => AccountStatus, { nullable: true })
  @Column('text', { name: 'from_status', nullable: true })
  fromStatus: AccountStatus | null;

  @Field(() => AccountStatus)
  @Column('text', { name: 'to_status' })
  toStatus: AccountStatus;

  @Field(() => Date)
  @Column('timestamptz', { name: 'changed_at' })
  changedAt: Date;

  @Field(() => String, { description: '来源：import / plan / manual' })
  @Column('text')
  source: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  reason: string | null;
}
