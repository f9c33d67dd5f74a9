import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../common/enums';

/** 用户. The password hash (argon2id) is never exposed through GraphQL. `unitId` null only for a national ADMIN. */
@ObjectType({ description: '用户 (user)' })
@Entity('users')
export class User {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => String, { description: '登录名（小写字母开头，可含数字 . _ -）' })
  @Column('text', { unique: true })
  username: string;

  @Field(() => String, { description: '显示名称' })
  @Column('text', { name: 'display_name' })
  displayName: string;

  @Column('text', { name: 'password_hash', select: true })
  passwordHash: string;

  @Field(() => Role)
  @Column('text')
  role: Role;

  @Column('int', { name: 'unit_id', nullable: true })
  unitId: number | null;

  @Field(() => Boolean, { description: '是否启用' })
  @Column('boolean')
  active: boolean;

  @Field(() => Date, { nullable: true, description: '最近一次登录时间' })
  @Column('timestamptz', { name: 'last_login_at', nullable: true })
  lastLoginAt: Date | null;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Field(() => Date)
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
