import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { AccountStatus, AccountType, Platform } from '../common/enums';

/** 账号: one account of a unit on one platform. Activity rollups (`lastPostAt`, `postCount`) are kept by the import. */
@ObjectType({ description: '政务新媒体账号 (account)' })
@Entity('accounts')
export class Account {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => Platform)
  @Column('text')
  platform: Platform;

  @Field(() => String, { description: '平台上的账号标识，在同一平台内唯一' })
  @Column('text')
  handle: string;

  @Field(() => String)
  @Column('text')
  name: string;

  @Column('int', { name: 'unit_id' })
  unitId: number;

  @Field(() => AccountType)
  @Column('text')
  type: AccountType;

  @Field(() => AccountStatus)
  @Column('text')
  status: AccountStatus;

  @Field(() => String, { nullable: true, description: '备案编号；为空表示未备案' })
  @Column('text', { name: 'filing_no', nullable: true })
  filingNo: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Column('date', { name: 'opened_on', nullable: true })
  openedOn: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '注销日期（导入的 closed_on，或方案的注销步骤）' })
  @Column('date', { name: 'closed_on', nullable: true })
  closedOn: string | null;

  @Field(() => String, { nullable: true, description: '备案状态：filed 已备案 / changed 已变更 / deregistered 已注销备案；为空表示未登记' })
  @Column('text', { name: 'filing_status', nullable: true })
  filingStatus: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: '备案状态的变更日期' })
  @Column('date', { name: 'filing_changed_on', nullable: true })
  filingChangedOn: string | null;

  @Field(() => Int)
  @Column('int')
  followers: number;

  @Field(() => Boolean)
  @Column('boolean', { name: 'interaction_enabled' })
  interactionEnabled: boolean;

  @Field(() => Boolean, { description: '是否为该单位在该平台的主账号' })
  @Column('boolean', { name: 'is_main' })
  isMain: boolean;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'last_post_at', nullable: true })
  lastPostAt: Date | null;

  @Field(() => Int)
  @Column('int', { name: 'post_count', default: 0 })
  postCount: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
