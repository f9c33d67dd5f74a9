import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/** 发布的内容. `originAccountId` records the account a migrated post was first published on. */
@ObjectType({ description: '发布的内容 (post)' })
@Entity('posts')
export class Post {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int', { name: 'account_id' })
  accountId: number;

  @Field(() => Date)
  @Column('timestamptz', { name: 'published_at' })
  publishedAt: Date;

  @Field(() => String)
  @Column('text')
  title: string;

  /** The post's text (UTF-8, at most 100 KB); null when only the title is known. */
  @Field(() => String, { nullable: true, description: '正文（可选，最多 100 KB）' })
  @Column('text', { nullable: true })
  content: string | null;

  @Field(() => Boolean, { description: '原创（否则为转载）' })
  @Column('boolean')
  original: boolean;

  @Field(() => Int)
  @Column('int')
  reads: number;

  @Column('int', { name: 'origin_account_id', nullable: true })
  originAccountId: number | null;
}
